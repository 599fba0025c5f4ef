// Progressive enhancement for the pipeline pages.
