"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (SQLite needs nothing)."""

import psycopg2
from django.conf import settings
from django.core.management.base import BaseCommand
from psycopg2 import sql


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database when it is missing."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            return
        params = {
            "dbname": "postgres",
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        connection = psycopg2.connect(**{k: v for k, v in params.items() if v})
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                    self.stdout.write(f"Created database {db['NAME']}.")
        finally:
            connection.close()
