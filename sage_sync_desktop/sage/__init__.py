"""Sage 300 CRE side: table mapping, the read-only ODBC reader, the schema probe, sample data. Qt-free."""
