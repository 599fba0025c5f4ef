"""Identity providers that run inside the tests, with no network: a SAML 2.0 IdP that signs
real assertions with its own key (xmlsec, through python3-saml's signing), and an OpenID
Connect provider serving discovery, authorization (PKCE), token, userinfo and JWKS over HTTP
on 127.0.0.1 with RS256-signed ID tokens. Both give Rapport's settings through the same
environment variables production uses (networking_app.settings.sso)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from networking_app.settings.env import Env
from networking_app.settings.sso import (
    DISPLAY_NAME,
    EDUPERSON_SCOPED_AFFILIATION,
    IS_MEMBER_OF,
    MAIL,
    sso_settings,
)

REFEDS_MFA = "https://refeds.org/profile/mfa"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
STAFF_GROUP = "cn=career-office,ou=groups,dc=example,dc=edu"


def key_and_certificate(common_name: str) -> tuple[str, str]:
    """A fresh RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _instant(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Person:
    """Someone the IdPs know: what they assert about them."""

    email: str
    name: str
    affiliation: str = "student@example.edu"
    groups: list[str] = field(default_factory=list)
    class_year: str = ""
    major: str = ""
    mfa: bool = False


# --- SAML ----------------------------------------------------------------------------------


class SAMLIdP:
    entity_id = "https://idp.example.edu/idp/shibboleth"
    sso_url = "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO"

    def __init__(self) -> None:
        self.key, self.certificate = key_and_certificate("idp.example.edu")

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            "SAML_IDP_ENTITY_ID": self.entity_id,
            "SAML_IDP_SSO_URL": self.sso_url,
            "SAML_IDP_X509CERT": self.certificate,
            "SAML_NAME": "Example University sign-in",
            "SSO_STAFF_GROUPS": STAFF_GROUP,
            "SSO_CLASS_YEAR_ATTRIBUTES": "urn:oid:1.3.6.1.4.1.99999.1",
            "SSO_MAJOR_ATTRIBUTES": "urn:oid:1.3.6.1.4.1.99999.2",
            **extra,
        }

    @staticmethod
    def authn_request(redirect_url: str) -> dict:
        """The AuthnRequest an SP sent with the HTTP-Redirect binding: its ID, where the
        answer goes, and the RelayState."""
        query = parse_qs(urlsplit(redirect_url).query)
        xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
        root = etree.fromstring(xml)
        return {
            "id": root.get("ID"),
            "acs_url": root.get("AssertionConsumerServiceURL"),
            "issuer": root.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer"),
            "relay_state": query.get("RelayState", [""])[0],
        }

    def response(
        self,
        person: Person,
        *,
        acs_url: str,
        audience: str,
        in_response_to: str | None,
        now: dt.datetime | None = None,
        valid_for: dt.timedelta = dt.timedelta(minutes=5),
        signing_key: str | None = None,
        signing_certificate: str | None = None,
    ) -> str:
        """A SAML Response (base64, as the browser posts it) with one assertion signed by this
        IdP's key (or another's)."""
        now = now or dt.datetime.now(dt.UTC)
        response_id, assertion_id = f"_{uuid.uuid4().hex}", f"_{uuid.uuid4().hex}"
        in_response = f" InResponseTo={quoteattr(in_response_to)}" if in_response_to else ""
        attributes = {
            MAIL: [person.email],
            DISPLAY_NAME: [person.name],
            EDUPERSON_SCOPED_AFFILIATION: [person.affiliation] if person.affiliation else [],
            IS_MEMBER_OF: person.groups,
            "urn:oid:1.3.6.1.4.1.99999.1": [person.class_year] if person.class_year else [],
            "urn:oid:1.3.6.1.4.1.99999.2": [person.major] if person.major else [],
        }
        uri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
        statements = "".join(
            f'<saml:Attribute Name="{name}" NameFormat="{uri}">'
            + "".join(
                f'<saml:AttributeValue xsi:type="xs:string">{escape(v)}</saml:AttributeValue>'
                for v in values
            )
            + "</saml:Attribute>"
            for name, values in attributes.items()
            if values
        )
        context = REFEDS_MFA if person.mfa else PASSWORD_PROTECTED
        assertion = (
            '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
            f"{hashlib.sha256(person.email.encode()).hexdigest()[:24]}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_instant(now + valid_for)}" '
            f'Recipient="{acs_url}"{in_response}/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_instant(now - dt.timedelta(minutes=1))}" '
            f'NotOnOrAfter="{_instant(now + valid_for)}">'
            f"<saml:AudienceRestriction><saml:Audience>{escape(audience)}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="{assertion_id}">'
            f"<saml:AuthnContext><saml:AuthnContextClassRef>{context}</saml:AuthnContextClassRef>"
            "</saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{statements}</saml:AttributeStatement>"
            "</saml:Assertion>"
        )
        signed = OneLogin_Saml2_Utils.add_sign(
            assertion, signing_key or self.key, signing_certificate or self.certificate
        )
        if isinstance(signed, bytes):
            signed = signed.decode()
        signed = signed.split("?>", 1)[-1] if signed.startswith("<?xml") else signed
        response = (
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="{response_id}" Version="2.0" IssueInstant="{_instant(now)}" '
            f'Destination="{acs_url}"{in_response}>'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            "</samlp:Status>"
            f"{signed}</samlp:Response>"
        )
        return base64.b64encode(response.encode()).decode()

    @staticmethod
    def post_form(acs_url: str, saml_response: str, relay_state: str) -> str:
        """The page an IdP answers the browser with: a form that posts the response back."""
        return (
            "<!doctype html><html><head><title>Example University sign-in</title></head><body>"
            f'<form method="post" action="{acs_url}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<input type="hidden" name="RelayState" value="{escape(relay_state)}">'
            "<button type=submit>Continue to Rapport</button></form></body></html>"
        )


# --- OpenID Connect ------------------------------------------------------------------------


class OIDCProvider:
    """Runs on 127.0.0.1 in a thread; `person` is whoever signs in next (no login form)."""

    client_id = "rapport-test"
    client_secret = "a-client-secret-for-tests"

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        self.person: Person | None = None
        self.codes: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OIDCProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def environment(self, **extra: str) -> dict[str, str]:
        return {
            "OIDC_SERVER_URL": self.url,
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_NAME": "Example University (OpenID Connect)",
            "SSO_STAFF_GROUPS": STAFF_GROUP,
            **extra,
        }

    def claims(self, person: Person) -> dict:
        claims = {
            "sub": hashlib.sha256(person.email.encode()).hexdigest()[:24],
            "email": person.email,
            "email_verified": True,
            "name": person.name,
            "eduperson_scoped_affiliation": [person.affiliation] if person.affiliation else [],
            "groups": person.groups,
        }
        if person.mfa:
            claims |= {"acr": REFEDS_MFA, "amr": ["pwd", "mfa"]}
        return claims

    def _id_token(self, claims: dict, nonce: str | None) -> str:
        now = int(dt.datetime.now(dt.UTC).timestamp())
        payload = {
            **claims,
            "iss": self.url,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
        }
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})

    def _jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, data: dict, status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    base = provider.url
                    return self._json(
                        {
                            "issuer": base,
                            "authorization_endpoint": f"{base}/authorize",
                            "token_endpoint": f"{base}/token",
                            "userinfo_endpoint": f"{base}/userinfo",
                            "jwks_uri": f"{base}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "code_challenge_methods_supported": ["S256"],
                        }
                    )
                if parts.path == "/jwks":
                    return self._json(provider._jwks())
                if parts.path == "/authorize":
                    if provider.person is None or query.get("client_id") != provider.client_id:
                        return self._json({"error": "access_denied"}, 400)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = {
                        "claims": provider.claims(provider.person),
                        "nonce": query.get("nonce"),
                        "challenge": query.get("code_challenge"),
                        "redirect_uri": query.get("redirect_uri"),
                    }
                    answer = urlencode({"code": code, "state": query.get("state", "")})
                    target = f"{query['redirect_uri']}?{answer}"
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    grant = provider.codes.get(f"token:{token}")
                    if grant is None:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(grant["claims"])
                return self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                if urlsplit(self.path).path != "/token":
                    return self._json({"error": "not_found"}, 404)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                else:
                    client_id, secret = form.get("client_id"), form.get("client_secret")
                if (client_id, secret) != (provider.client_id, provider.client_secret):
                    return self._json({"error": "invalid_client"}, 401)
                grant = provider.codes.pop(form.get("code", ""), None)
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json({"error": "invalid_grant"}, 400)
                if grant["challenge"]:
                    verifier = form.get("code_verifier", "").encode()
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                    if digest.rstrip(b"=").decode() != grant["challenge"]:
                        return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(16)
                provider.codes[f"token:{access}"] = grant
                return self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider._id_token(grant["claims"], grant["nonce"]),
                    }
                )

        return Handler


def settings_for(environment: dict[str, str]) -> dict:
    """Rapport's SSO settings computed from `environment`, as settings/base.py does."""
    return sso_settings(
        Env(environment), school_name="Example University", email_domains=["example.edu"]
    )


class SAMLWebIdP(SAMLIdP):
    """The SAML IdP on 127.0.0.1 for a browser: its SSO URL answers an AuthnRequest (HTTP-
    Redirect binding) with a page that posts the signed response to the SP at once. `person`
    is whoever signs in next; `impostor` makes it sign with a key the SP does not trust."""

    def __init__(self) -> None:
        super().__init__()
        self.person: Person | None = None
        self.impostor = False
        self.audience = ""
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def sso_url(self) -> str:  # type: ignore[override]
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/sso"

    def start(self) -> SAMLWebIdP:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                request = idp.authn_request(self.path)
                signing = key_and_certificate("impostor.example.com") if idp.impostor else None
                saml_response = idp.response(
                    idp.person,
                    acs_url=request["acs_url"],
                    audience=idp.audience or request["issuer"],
                    in_response_to=request["id"],
                    signing_key=signing[0] if signing else None,
                    signing_certificate=signing[1] if signing else None,
                )
                page = idp.post_form(request["acs_url"], saml_response, request["relay_state"])
                page = page.replace("</body>", "<script>document.forms[0].submit()</script></body>")
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def apply_settings(settings, environment: dict[str, str]) -> None:
    """Point the running site (pytest-django's `settings`) at an IdP: the SSO settings, and
    the form-action sources the Content Security Policy takes from them."""
    values = settings_for(environment)
    for name, value in values.items():
        setattr(settings, name, value)
    policy = {**settings.CONTENT_SECURITY_POLICY}
    directives = {**policy["DIRECTIVES"]}
    directives["form-action"] = ["'self'", *values["SSO_FORM_ACTION"]]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
