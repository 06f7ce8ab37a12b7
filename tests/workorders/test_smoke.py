def test_it_creates_and_assigns_an_order_through_the_api(api, people, catalog):
    desk = api("front_desk")
    r = desk.post("/api/v1/orders/", {"resident": people["with_card"].pk, "service": catalog["clean"].pk, "channel": "phone"}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"].startswith("WO-")
    assert body["state"] == "received"
    r = api("dispatcher").post(f"/api/v1/orders/{body['id']}/assign/", {"worker": people["cleaner"].pk}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "assigned"
