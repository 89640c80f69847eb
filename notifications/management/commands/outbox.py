from django.core.management.base import BaseCommand

from notifications.models import Message


class Command(BaseCommand):
    help = "Prints the development SMS/e-mail outbox, oldest first: <ISO time> <channel> <recipient> <text>"

    def add_arguments(self, parser):
        parser.add_argument("--phone", help="only messages to this phone (+7…) or e-mail")
        parser.add_argument("--last", type=int, help="only the last N messages")

    def handle(self, *args, phone=None, last=None, **options):
        messages = Message.objects.order_by("created_at", "id")
        if phone:
            messages = messages.filter(recipient=phone)
        if last:
            ids = list(messages.reverse().values_list("id", flat=True)[:last])
            messages = messages.filter(id__in=ids)
        for message in messages:
            text = " ".join(f"{message.subject} {message.body}".split())
            self.stdout.write(
                f"{message.created_at.isoformat()} {message.channel} {message.recipient} {text}"
            )
