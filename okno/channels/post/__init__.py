"""Paper replies: letters printed from a template, the "to post" list, and the
Russian Post registry of registered mail (form 103) with tracking numbers."""
