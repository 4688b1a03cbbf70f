"""Ask the workspace, the application's side: the read-only tools (`tools`), the service that
runs a question through `ai.ask` and logs it (`services`), and the admin page (`admin`)."""
