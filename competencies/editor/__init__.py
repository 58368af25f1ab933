"""The framework editor: pages where curriculum designers change drafts in place (htmx).

Every view here needs a signed-in designer or administrator (others get 403, anonymous users a
sign-in redirect); the services refuse changes to anything but drafts.
"""
