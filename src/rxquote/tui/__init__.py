"""The Textual chat (`rxquote` / `rxquote chat`). Imported lazily by the CLI: nothing here is
loaded by `rxquote ask`."""
