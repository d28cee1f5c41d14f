from ninja import Router

router = Router(tags=["inspections"])


@router.get("/visits", response=list[str], summary="Visits due")
def visits(request: object) -> list[str]:
    return ["取水口 A"]
