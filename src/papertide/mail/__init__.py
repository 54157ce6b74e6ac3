"""Mail: building messages, the account mails (confirmation, sign-in link, address change),
and getting any message out through an SMTP relay or the outbox folder at the send rate.

    mailer = Mailer(settings)
    mailer.send(render_sign_in(settings, "ada@example.org", link, new=True))
    mailer.send(msg, commit)      # `commit` runs before the relay takes the message

The digest composes and renders its editions (`papertide.digest`) and sends them here;
this package knows nothing of readers, only addresses and links.
"""

from __future__ import annotations

from papertide.mail._mailer import Mailer
from papertide.mail._render import (
    HeaderInjection,
    TopicLike,
    as_email_message,
    build_message,
    mail_domain,
    render_address_link,
    render_confirmation,
    render_sign_in,
    template_environment,
)
from papertide.mail._transport import (
    DeliveryError,
    OutboxTransport,
    PermanentFailure,
    SmtpTransport,
    TransientFailure,
    make_transport,
)

__all__ = ["DeliveryError", "HeaderInjection", "Mailer", "OutboxTransport", "PermanentFailure",
           "SmtpTransport", "TopicLike", "TransientFailure", "as_email_message", "build_message",
           "mail_domain", "make_transport", "render_address_link", "render_confirmation",
           "render_sign_in", "template_environment"]
