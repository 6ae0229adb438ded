"""The local Procore sandbox: a real HTTP server on 127.0.0.1 that answers like Procore. Qt-free."""
