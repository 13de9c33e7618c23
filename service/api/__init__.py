"""The HTTP API: FastAPI routers, thin (parse, call one function, shape the answer)."""
