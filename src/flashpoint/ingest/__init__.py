"""Reading sources into Documents: files, directories, JSON/JSONL, HTML, web feeds and URLs; page clean-up."""
