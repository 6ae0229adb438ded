"""The benchmark behind `sage-sync-desktop bench`: figures for scan speed, requests, memory,
GUI responsiveness and start-up, measured as ratios in one run. Qt-free; the GUI figures come
from a child process that imports the window lazily."""
