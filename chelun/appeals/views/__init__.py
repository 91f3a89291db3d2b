"""Pages of the service desk: `driver` (submit, my appeals, confirm) and `console` (queue, detail and its steps,
supervision board, routing rules, statistics)."""
