"""Procore side: environments, OAuth, the REST client. Qt-free."""
