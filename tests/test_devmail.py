from django.core.mail import EmailMultiAlternatives, send_mail
from django.urls import reverse

from networking_app.devmail.selectors import mailbox_messages


def test_backend_writes_one_eml_file_per_message(mailbox):
    send_mail("First", "Body one", "from@example.edu", ["a@example.edu"])
    send_mail("Second", "Body two", "from@example.edu", ["b@example.edu"])
    files = sorted(mailbox.glob("*.eml"))
    assert len(files) == 2
    messages = mailbox_messages()
    assert [m.subject for m in messages] == ["Second", "First"]  # newest first
    assert messages[1].text.strip() == "Body one"


def test_sent_mail_page_lists_and_shows_messages(client, mailbox, db):
    message = EmailMultiAlternatives(
        "Verify café", "Open https://example.edu/confirm/abc/ please", to=["a@example.edu"]
    )
    message.attach_alternative("<p>Hello <script>alert(1)</script></p>", "text/html")
    message.send()
    listing = client.get(reverse("devmail:list"))
    assert "Verify café" in listing.text
    name = mailbox_messages()[0].name
    detail = client.get(reverse("devmail:detail", args=[name]))
    assert '<a href="https://example.edu/confirm/abc/"' in detail.text
    html = client.get(reverse("devmail:html", args=[name]))
    assert html["Content-Security-Policy"].startswith("sandbox")
    assert "<script>" in html.text  # shown as sent, but inside a sandbox that runs nothing


def test_sent_mail_page_refuses_path_tricks(client, mailbox, db):
    send_mail("x", "y", "from@example.edu", ["a@example.edu"])
    for name in ["..%2F..%2Fsettings.py", "notes.txt", "20260101-000000-000000-zzzzzzzz.eml"]:
        assert client.get(f"/dev/mail/{name}/").status_code == 404


def test_sent_mail_page_is_404_when_turned_off(client, settings, db):
    settings.SENT_MAIL_PAGE = False
    assert client.get(reverse("devmail:list")).status_code == 404


def test_no_mail_yet(client, mailbox, db):
    assert "No email has been sent yet." in client.get(reverse("devmail:list")).text
