"""Readers: the accounts of papertide. One record per address is both the subscriber (double
opt-in, preferences, topics) and the account (sign-in links, sessions, API tokens, role);
signed links act for the reader in place of passwords.

    readers = services.readers
    reader, mail = readers.request_subscription("ada@example.org", [Topic("graph networks")])
    readers.confirm(token)        # from the link in the confirmation mail
    readers.accounts.redeem(sign_in_token, user_agent)   # → (reader, session token)
"""

from papertide.readers._accounts import SCOPES, Accounts, ApiToken, Session, parse_scopes
from papertide.readers._address import normalize_email
from papertide.readers._errors import InvalidInput
from papertide.readers._readers import MAX_TOPICS, Readers, clean_field, make_topic, time_zones
from papertide.readers._requests import AccountMails
from papertide.readers._store import Reader, ReaderStore, Topic
from papertide.readers._tokens import TokenError, Tokens

__all__ = ["MAX_TOPICS", "SCOPES", "AccountMails", "Accounts", "ApiToken", "InvalidInput", "Reader",
           "ReaderStore", "Readers", "Session", "Topic", "TokenError", "Tokens", "clean_field",
           "make_topic", "normalize_email", "parse_scopes", "time_zones"]
