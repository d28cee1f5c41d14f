"""The notice category of official documents (what arrives to sign for, replies, sent-back copies)."""

NOTICE_CATEGORY = "document"
