"""The reference for cold starts: a hello-world FastAPI app behind Mangum, nothing else."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


lambda_handler = Mangum(app, lifespan="off")
