"""`roleplay serve`: the agent desktop (DESIGN.md section 4), an ASGI app on uvicorn."""
