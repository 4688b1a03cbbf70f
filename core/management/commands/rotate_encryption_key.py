"""Re-encrypt every encrypted secret with the first key of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.fields import encrypted_fields, fernet


class Command(BaseCommand):
    help = (
        "Re-encrypt the secrets stored in the database with the first FIELD_ENCRYPTION_KEYS key. "
        "Rotation: put the new key first (keep the old ones after it), run this, then remove "
        "the old keys."
    )

    def handle(self, *args, **options):
        keys, qn, total = fernet(), connection.ops.quote_name, 0
        for model, name in encrypted_fields():
            # The raw tokens, not the decrypted values: rotate() re-encrypts a token directly.
            table, column = qn(model._meta.db_table), qn(model._meta.get_field(name).column)
            pk = qn(model._meta.pk.column)
            # A handful of credentials: one UPDATE each, all in one transaction.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} "
                    f"WHERE {column} IS NOT NULL AND {column} <> ''"
                )
                for row_pk, token in cursor.fetchall():
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",
                        [keys.rotate(token.encode()).decode(), row_pk],
                    )
                    total += 1
            self.stdout.write(f"{model._meta.label}.{name}: re-encrypted.")
        self.stdout.write(self.style.SUCCESS(f"{total} secret(s) now use the first key."))
