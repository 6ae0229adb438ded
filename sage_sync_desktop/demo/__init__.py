"""Demo and sample data: the sample Sage company, the demo set-up, the benchmark's company. Qt-free.

The only code that writes sample Sage files (`sample_company` creates them, `sample_editor`
changes them, refusing any file it did not create). The engine never imports this package.
"""
