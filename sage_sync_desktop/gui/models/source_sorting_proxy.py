"""A proxy that leaves sorting to its source model and filters on one precomputed text per row."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRegularExpression, QSortFilterProxyModel, Qt


def words_pattern(text: str) -> QRegularExpression:
    """Matches a text containing every word of `text`, in any order, ignoring case."""
    words = text.casefold().split()
    pattern = "".join(f"(?=.*{QRegularExpression.escape(word)})" for word in words)
    return QRegularExpression(
        f"^{pattern}" if pattern else "",
        QRegularExpression.PatternOption.CaseInsensitiveOption
        | QRegularExpression.PatternOption.DotMatchesEverythingOption,
    )


class SourceSortingProxy(QSortFilterProxyModel):
    """Sorting is forwarded to the source (one Python sort of a list); the text filter runs in
    C++ on the `haystack_role` text, so an empty filter never calls back into Python per row."""

    def __init__(self, haystack_role: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(True)
        self.setFilterRole(haystack_role)
        self.setFilterKeyColumn(0)

    def set_text(self, text: str) -> None:
        self.setFilterRegularExpression(words_pattern(text))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)
