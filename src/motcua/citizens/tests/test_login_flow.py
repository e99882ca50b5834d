"""The citizens' login through the simulated VNeID over real HTTP (live_server): the
authorization code flow with PKCE, and every way a login must be refused."""

from __future__ import annotations

import base64
import hashlib
import secrets

import httpx
import pytest

from motcua.accounts.models import User
from motcua.citizens.models import CitizenAccount
from motcua.core.models import AuditEntry
from motcua.dossiers.tests.factories import DossierFactory, citizen

from .conftest import HUNG, LAN, SEN_HONG, fault, log_in, query

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(provider):
    with httpx.Client(base_url=provider, timeout=10) as http:
        yield http


def test_authorize_request_carries_pkce_s256_state_and_nonce(reloaded, provider, client):
    start = client.get("/dang-nhap/vneid/")
    assert start.status_code == 302
    params = query(start.headers["location"])
    assert start.headers["location"].startswith(provider + "/sim/vneid/authorize?")
    assert params["response_type"] == "code"
    assert params["client_id"] == "motcua"
    assert params["redirect_uri"] == provider + "/dang-nhap/vneid/ket-qua/"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256, no padding
    assert params["state"] and params["nonce"]
    assert "openid" in params["scope"].split()


def test_citizen_logs_in_and_sees_the_dossier_received_at_a_desk(reloaded, world, provider, client):
    mine = DossierFactory(
        actor=world["commune_officer"], procedure=world.birth, desk=world.tree["osu"], accept=True
    )
    other = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        applicant=citizen(world.tree["osu"].commune_id, id_number=HUNG, name="Trần Văn Hùng"),
    )

    walk = log_in(client, provider, LAN)

    assert walk.final.status_code == 302
    assert walk.final.headers["location"] == "/ho-so-cua-toi/"
    page = client.get("/ho-so-cua-toi/")
    assert page.status_code == 200
    assert mine.code in page.text
    assert other.code not in page.text
    account = CitizenAccount.objects.select_related("user").get(number=LAN)
    assert account.kind == "citizen"
    assert account.name == "Nguyễn Thị Lan"
    assert account.birth_date == "1990-03-14"
    assert account.address  # from userinfo
    assert account.ial == "2"
    assert account.tech_id.startswith("TK")
    user = account.user
    assert user.kind == User.Kind.CITIZEN
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert AuditEntry.objects.filter(action="citizens.login", actor=user).count() == 1
    # The other applicant's dossier is "not found", not "forbidden".
    assert client.get(f"/ho-so-cua-toi/{other.code}/").status_code == 404


def test_second_login_updates_the_same_account(reloaded, provider):
    for _ in range(2):
        with httpx.Client(base_url=provider, timeout=10) as http:
            assert log_in(http, provider, LAN).final.status_code == 302
    assert CitizenAccount.objects.filter(number=LAN).count() == 1
    assert User.objects.filter(kind=User.Kind.CITIZEN).count() == 1


def test_an_official_with_the_same_identity_number_gets_a_separate_citizen_account(
    reloaded, world, provider, client
):
    official = world["commune_officer"]
    official.identity_number = LAN
    official.save(update_fields=["identity_number"])

    log_in(client, provider, LAN)

    account = CitizenAccount.objects.get(number=LAN)
    assert account.user_id != official.pk
    assert account.user.kind == User.Kind.CITIZEN
    # The session is the citizen's: the officials' list is not theirs.
    assert client.get("/api/v1/me/identity").json()["number"] == LAN
    assert client.get("/api/v1/dossiers").json().get("items", []) == []


def test_organization_logs_in_by_its_code_with_its_representative(
    reloaded, world, provider, client
):
    theirs = DossierFactory(
        actor=world["commune_officer"],
        procedure=world.birth,
        desk=world.tree["osu"],
        applicant=citizen(
            world.tree["osu"].commune_id,
            kind="organization",
            id_number=SEN_HONG,
            name="Công ty TNHH Thương mại Sen Hồng",
        ),
    )
    log_in(client, provider, SEN_HONG)

    account = CitizenAccount.objects.get(number=SEN_HONG)
    assert account.kind == "organization"
    assert account.user.kind == User.Kind.ORGANIZATION
    assert account.representative_name == "Trần Văn Hùng"
    assert account.representative_number == HUNG
    assert theirs.code in client.get("/ho-so-cua-toi/").text


def _refused(client: httpx.Client, response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert "Đăng nhập bằng VNeID" in response.text
    # Not logged in.
    assert client.get("/api/v1/me/identity").status_code == 401


def test_wrong_state_is_refused(reloaded, provider, client):
    start = client.get("/dang-nhap/vneid/")
    from .conftest import choose_identity

    chosen = choose_identity(client, start.headers["location"], LAN)
    callback = chosen.headers["location"]
    state = query(callback)["state"]
    forged = callback.replace(f"state={state}", "state=" + "x" * len(state))

    _refused(client, client.get(forged))
    assert not CitizenAccount.objects.exists()
    assert AuditEntry.objects.filter(action="citizens.login_failed").exists()


def test_replayed_callback_is_refused(reloaded, provider, client):
    walk = log_in(client, provider, LAN)
    assert walk.final.status_code == 302
    # The same browser again (its state is spent), and another browser replaying the address
    # (the code and state leaked): neither logs in.
    assert client.get(walk.callback_url).status_code == 400
    with httpx.Client(base_url=provider, timeout=10) as thief:
        _refused(thief, thief.get(walk.callback_url))
    assert AuditEntry.objects.filter(action="citizens.login").count() == 1
    assert AuditEntry.objects.filter(action="citizens.login_failed").count() == 2


@pytest.mark.parametrize(
    "misbehaviour",
    [
        "tampered",
        "wrong_nonce",
        "wrong_audience",
        "wrong_issuer",
        "expired",
        "foreign_key",
        "missing",
    ],
)
def test_a_bad_id_token_is_refused(reloaded, provider, client, misbehaviour):
    fault(provider, id_token=misbehaviour)
    walk = log_in(client, provider, LAN)
    _refused(client, walk.final)
    assert not CitizenAccount.objects.exists()
    entry = AuditEntry.objects.get(action="citizens.login_failed")
    assert entry.note


def test_denied_consent_logs_nobody_in(reloaded, provider, client):
    start = client.get("/dang-nhap/vneid/")
    page = client.get(start.headers["location"])
    from .conftest import hidden_fields

    back = client.post(str(page.url), data=hidden_fields(page.text) | {"tu_choi": "1"})
    assert back.status_code == 302
    assert query(back.headers["location"])["error"] == "access_denied"
    _refused(client, client.get(back.headers["location"]))


def test_logout_ends_our_session_and_the_providers(reloaded, provider, client):
    log_in(client, provider, LAN)
    page = client.get("/ho-so-cua-toi/")
    csrf = client.cookies["csrftoken"]
    out = client.post("/dang-xuat/vneid/", data={"csrfmiddlewaretoken": csrf})
    assert out.status_code == 302
    end_session = out.headers["location"]
    assert end_session.startswith(provider + "/sim/vneid/end-session?")
    params = query(end_session)
    assert params["post_logout_redirect_uri"] == provider + "/"
    assert params["id_token_hint"].count(".") == 2
    back = client.get(end_session)
    assert back.status_code == 302
    assert back.headers["location"].startswith(provider + "/")
    assert page.status_code == 200
    assert client.get("/ho-so-cua-toi/").status_code == 401


# The provider's own protocol, spoken directly (as any relying party would).


def _verifier_and_challenge() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _code(http: httpx.Client, provider: str, challenge: str) -> str:
    from .conftest import choose_identity

    redirect_uri = provider + "/dang-nhap/vneid/ket-qua/"
    url = str(
        httpx.URL(
            provider + "/sim/vneid/authorize",
            params={
                "response_type": "code",
                "client_id": "motcua",
                "redirect_uri": redirect_uri,
                "scope": "openid profile",
                "state": "s1",
                "nonce": "n1",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
    )
    back = choose_identity(http, url, LAN)
    assert back.status_code == 302
    return query(back.headers["location"])["code"]


def _exchange(http: httpx.Client, provider: str, code: str, verifier: str) -> httpx.Response:
    return http.post(
        provider + "/sim/vneid/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": provider + "/dang-nhap/vneid/ket-qua/",
            "code_verifier": verifier,
        },
        auth=("motcua", "demo-vneid"),
    )


def test_token_endpoint_checks_pkce_and_uses_a_code_once(reloaded, provider, client):
    discovery = client.get("/sim/vneid/.well-known/openid-configuration").json()
    assert discovery["issuer"] == provider + "/sim/vneid"
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert client.get("/sim/vneid/jwks").json()["keys"][0]["kty"] == "RSA"

    verifier, challenge = _verifier_and_challenge()
    code = _code(client, provider, challenge)
    wrong = _exchange(client, provider, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"

    code = _code(client, provider, challenge)
    first = _exchange(client, provider, code, verifier)
    assert first.status_code == 200, first.text
    token = first.json()
    assert token["token_type"] == "Bearer" and token["id_token"].count(".") == 2
    info = client.get(
        "/sim/vneid/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert info.json()["SoDinhDanh"] == LAN

    again = _exchange(client, provider, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # A reused code revokes what it was exchanged for (RFC 6749 §4.1.2).
    revoked = client.get(
        "/sim/vneid/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert revoked.status_code == 401


def test_token_endpoint_refuses_a_wrong_client_secret(reloaded, provider, client):
    verifier, challenge = _verifier_and_challenge()
    code = _code(client, provider, challenge)
    response = client.post(
        provider + "/sim/vneid/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": provider + "/dang-nhap/vneid/ket-qua/",
            "code_verifier": verifier,
        },
        auth=("motcua", "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_authorize_never_redirects_to_an_unregistered_address(reloaded, provider, client):
    _verifier, challenge = _verifier_and_challenge()
    response = client.get(
        "/sim/vneid/authorize",
        params={
            "response_type": "code",
            "client_id": "motcua",
            "redirect_uri": "https://attacker.example/cb",
            "scope": "openid",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 400
    assert "location" not in response.headers
