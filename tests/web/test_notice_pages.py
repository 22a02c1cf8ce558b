"""Placeholder while developing."""
from tests.notice_helpers import publish


def test_smoke(client, auth, officers, tokens):
    from kiosk_server.services.kiosks import provision_kiosk
    kiosk, _ = provision_kiosk("Một cửa", "02215", ["Trụ sở"], actor="test")
    n = publish(client, tokens, hours=[["07:00", "11:30"]], days=[1])
    auth.login("duyet@example.vn")
    for page in ["/admin/notices", "/admin/notices/new", f"/admin/notices/{n['id']}", f"/admin/notices/{n['id']}/edit",
                 "/admin/approvals", f"/admin/kiosks/{kiosk.id}/timeline?date=2030-01-07", "/admin/kiosks"]:
        r = client.get(page)
        print(page, r.status_code)
        open("/tmp/page" + page.replace("/", "_").replace("?", "_") + ".html", "w").write(r.get_data(as_text=True))
        assert r.status_code == 200
