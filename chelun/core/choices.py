from django.db import models


class SensitiveField(models.TextChoices):
    """The personal data stored encrypted and shown masked; revealing one in clear writes an audit entry naming it.

    Here rather than in members because the audit log (core) labels those entries, and core imports no domain app.
    """

    ID_NUMBER = "id_number", "身份证号"
    PHONE = "phone", "手机号"
