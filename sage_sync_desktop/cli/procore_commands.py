"""`login`, `logout` and `sandbox`: Procore sign-in from the command line and the local sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from sage_sync_desktop.app.context import AppContext
from sage_sync_desktop.app.wiring import build_client_from_settings, build_sign_in
from sage_sync_desktop.cli.terminal_text import say
from sage_sync_desktop.errors import ConfigurationError
from sage_sync_desktop.logging_setup import register_secret
from sage_sync_desktop.procore import environments, oauth, oauth_login
from sage_sync_desktop.procore.records import ProcoreCompany
from sage_sync_desktop.sandbox import rate_limits
from sage_sync_desktop.secret_store import store_name
from sage_sync_desktop.settings import Settings

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    login = subparsers.add_parser(
        "login", help="sign in to Procore (browser, pasted code, or service account)",
        description="Sign in to Procore and keep the sign-in in the OS credential store "
        f"(here: {store_name()}).",
    )
    flow = login.add_mutually_exclusive_group(required=True)
    flow.add_argument("--browser", action="store_true",
                      help="open Procore's sign-in page; the answer comes back to http://localhost:<port>")
    flow.add_argument("--paste-code", action="store_true",
                      help="print the sign-in address and read the code Procore shows from standard input")
    flow.add_argument("--client-credentials", action="store_true",
                      help="sign in as a Procore service account (client ID and secret)")
    login.add_argument("--client-secret-stdin", action="store_true",
                       help="read the client secret from standard input and save it in the credential store")
    login.add_argument("--client-id", help="the Procore app's client ID (saved in the settings)")
    login.add_argument("--company-id", type=int, help="the Procore company to work in (saved in the settings)")
    login.add_argument("--environment", choices=environments.ENVIRONMENT_NAMES,
                       help="Procore environment (saved in the settings)")
    login.add_argument("--api-url", help="API base URL for the custom environment")
    login.add_argument("--login-url", help="sign-in base URL for the custom environment")
    login.add_argument("--redirect-uri", help="loopback redirect for --browser (default from the settings)")
    login.add_argument("--no-browser", action="store_true",
                       help="with --browser: print the address instead of opening a browser")
    login.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser (300)")
    login.set_defaults(handler=run_login)

    logout = subparsers.add_parser("logout", help="revoke the Procore sign-in and forget it")
    logout.add_argument("--forget-client-secret", action="store_true",
                        help="also remove the client secret from the credential store")
    logout.set_defaults(handler=run_logout)

    sandbox = subparsers.add_parser(
        "sandbox", help="run the local Procore sandbox (for the demo, tests and scripts)",
        description="Serve a local Procore sandbox on 127.0.0.1 until Ctrl+C. Prints one JSON line "
        "with url, login_url, company_id, client_id, client_secret, rate_limit and latency_ms once it listens.",
    )
    sandbox.add_argument("--port", type=_port, default=0, help="port to listen on (default: a free one)")
    sandbox.add_argument("--state", type=Path, help="SQLite file keeping the sandbox's data across restarts")
    sandbox.add_argument("--seed", metavar="FILE|sample",
                         help="what to start with: `sample` (projects and units that fit the sample Sage company) "
                         "or a JSON seed file (format in docs/procore-connection.md); default: six generic projects")
    sandbox.add_argument("--token-ttl", type=_token_ttl, help="access-token lifetime in seconds (default 5400)")
    sandbox.add_argument("--rate-limit", type=_rate_limits, default=rate_limits.DOCUMENTED, metavar="HOURLY/SPIKE",
                         help="requests allowed per hour and per 10-second spike window; past either the "
                              "answer is 429 with Retry-After "
                              f"(default {rate_limits.DOCUMENTED}, as Procore documents)")
    sandbox.add_argument("--latency-ms", type=_latency, default=0, metavar="N",
                         help="delay every API and sign-in answer by N milliseconds (default 0)")
    sandbox.set_defaults(handler=run_sandbox)


def _rate_limits(text: str) -> rate_limits.RateLimits:
    try:
        return rate_limits.RateLimits.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _whole_number(low: int, high: int | None, meaning: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound when None)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{meaning} (got {text!r})")
        return value

    return parse


_port = _whole_number(0, 65535, "a port is a whole number from 1 to 65535, or 0 for a free one")
_token_ttl = _whole_number(1, None, "the token lifetime is a whole number of seconds, 1 or more")
_latency = _whole_number(0, None, "the latency is a whole number of milliseconds, 0 or more")


# ---------------------------------------------------------------------- login / logout

def _settings_for_login(args: argparse.Namespace, settings: Settings) -> Settings:
    changes: dict[str, object] = {}
    if args.environment:
        changes["environment"] = args.environment
    if args.api_url:
        changes["api_url"] = args.api_url.rstrip("/")
    if args.login_url:
        changes["login_url"] = args.login_url.rstrip("/")
    if args.client_id:
        changes["client_id"] = args.client_id.strip()
    if args.company_id is not None:
        changes["company_id"] = args.company_id
    if args.redirect_uri:
        changes["redirect_uri"] = args.redirect_uri
    changes["auth"] = "client_credentials" if args.client_credentials else "authorization_code"
    updated = settings.with_changes(procore=changes)
    environment = updated.procore_environment()
    if environment.name != environments.CUSTOM:
        # A named environment fixes both URLs; keep the settings file telling the truth.
        updated = updated.with_changes(procore={"api_url": environment.api_url, "login_url": environment.login_url})
    updated.validate("command line")
    if not updated.procore.client_id:
        raise ConfigurationError("No Procore client ID is set.",
                                 fix="Pass --client-id (it is saved in the settings).")
    if args.client_credentials and updated.procore.company_id is None:
        # Procore wants Procore-Company-Id on every service-account call, /me included.
        raise ConfigurationError("A Procore service account needs the company ID to sign in.",
                                 fix="Pass --company-id (the number in the company's Procore address).")
    return updated


def run_login(args: argparse.Namespace, context: AppContext) -> int:
    settings = _settings_for_login(args, context.load_settings(may_create=True))
    environment = settings.procore_environment()
    client_id = settings.procore.client_id
    given = ""
    if args.client_secret_stdin:
        given = sys.stdin.readline().strip()
        if not given:
            raise ConfigurationError("No client secret arrived on standard input.",
                                     fix="Pipe the secret in, e.g. `type secret.txt | sage-sync login ...`.")
        register_secret(given)
    # A secret given now is tried first and saved only once Procore has accepted it.
    auth = build_sign_in(settings, context.secrets, client_secret=given or None)
    if isinstance(auth, oauth.ClientCredentialsAuth):
        auth.sign_in()  # always asks Procore (a saved token proves nothing about this secret); ends a `logout`
    elif args.browser:
        opener = _print_url if args.no_browser else _open_and_print
        oauth_login.sign_in_with_browser(auth, settings.procore.redirect_uri, open_browser=opener,
                                         timeout=args.timeout)
    else:
        print("Open this address, sign in to Procore, choose Allow, then paste the code shown:")
        print(oauth_login.paste_code_url(auth))
        print("Code: ", end="", flush=True)
        oauth_login.sign_in_with_pasted_code(auth, sys.stdin.readline())
    if given:
        context.secrets.set(oauth.client_secret_name(environment.name, client_id, environment.api_url), given)
    client = build_client_from_settings(settings, context.secrets, auth=auth)
    me = client.me()
    companies = client.companies()
    settings = _choose_company(settings, companies)
    context.save_settings(settings)
    company = next((c for c in companies if c.company_id == settings.procore.company_id), None)
    say(f"Signed in to Procore ({environment.label}) as {me.name} <{me.login}>.")
    if company:
        say(f"Company: {company.name} (id {company.company_id}).")
    return 0


def _choose_company(settings: Settings, companies: list[ProcoreCompany]) -> Settings:
    ids = [c.company_id for c in companies]
    wanted = settings.procore.company_id
    if wanted is not None:
        if wanted not in ids:
            raise ConfigurationError(
                f"Procore company {wanted} is not among the companies this sign-in can see.",
                fix="Choose one of: " + ", ".join(f"{c.name} ({c.company_id})" for c in companies) + ".",
            )
        return settings
    if len(companies) == 1:
        return settings.with_changes(procore={"company_id": companies[0].company_id})
    listing = ", ".join(f"{c.name} ({c.company_id})" for c in companies) or "none"
    raise ConfigurationError(
        "This Procore sign-in sees several companies (or none); choose one.",
        fix=f"Run login again with --company-id ID. Companies: {listing}.",
    )


def _print_url(url: str) -> bool:
    print("Open this address to sign in to Procore:")
    print(url, flush=True)
    return True


def _open_and_print(url: str) -> bool:
    _print_url(url)
    return webbrowser.open(url)


def run_logout(args: argparse.Namespace, context: AppContext) -> int:
    settings = context.load_settings()
    environment = settings.procore_environment()
    client_id = settings.procore.client_id
    if not client_id:
        print("Not signed in to Procore (no client ID in the settings).")
        return 0
    store = oauth.TokenStore(context.secrets, environment.name, client_id, environment.api_url)
    secret = oauth.load_client_secret(context.secrets, environment.name, client_id, environment.api_url)
    if secret and store.load():
        build_sign_in(settings, context.secrets, client_secret=secret).sign_out()  # revokes (best effort) and forgets
    if settings.procore.auth == "client_credentials":
        store.mark_signed_out()
    else:
        store.clear()
    if args.forget_client_secret:
        oauth.forget_client_secret(context.secrets, environment.name, client_id, environment.api_url)
    print("Signed out of Procore; the saved sign-in was removed from the credential store.")
    return 0


# ---------------------------------------------------------------------- sandbox

def run_sandbox(args: argparse.Namespace, context: AppContext) -> int:
    from sage_sync_desktop.sandbox.seed_check import SeedError
    from sage_sync_desktop.sandbox.server import ProcoreSandbox
    from sage_sync_desktop.demo.demo_setup import SAMPLE_SEED_NAME, sample_sandbox_seed

    seed: dict | Path | None = Path(args.seed) if args.seed else None
    if args.seed == SAMPLE_SEED_NAME:
        seed = sample_sandbox_seed()
    try:
        sandbox = ProcoreSandbox(state_path=args.state, seed=seed, port=args.port, token_ttl=args.token_ttl,
                                 rate_limit=args.rate_limit, latency_ms=args.latency_ms)
        sandbox.start()
    except SeedError as exc:
        raise ConfigurationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.",
                                 fix="See the seed format in docs/procore-connection.md, or use --seed sample.") from None
    except ValueError as exc:
        raise ConfigurationError(f"{str(exc)[:1].upper()}{str(exc)[1:]}.",
                                 fix="Check the path given with --state (its folder must exist and be writable).") from None
    except OSError as exc:
        raise ConfigurationError(f"The sandbox cannot listen on port {args.port}: {exc.strerror}.",
                                 fix="Choose another --port, or leave it out to use a free one.") from None
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Scripts read this one line; the secret is the sandbox's own made-up service account.
        print(json.dumps(sandbox.info()), flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sandbox.stop()
    return 0
