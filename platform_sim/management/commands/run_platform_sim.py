from django.core.management.base import BaseCommand

from platform_sim.server import serve


class Command(BaseCommand):
    help = "Run the platform simulator (every platform's API on one local port; 127.0.0.1 only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--log-level", default="warning")

    def handle(self, *args, **options):
        self.stdout.write(f"platform_sim on http://{options['host']}:{options['port']} (control API: /_sim)")
        serve(options["host"], options["port"], options["log_level"])
