"""How many intake requests one client address may make per hour (`web.intake_per_hour`).

A flood from one address must not spend the year's radicados: past the allowance the form
and the API answer 429 with Retry-After, before anything is read, stored or numbered. The
count lives in Redis (one key per address and hour) so every web host shares it. Loopback
clients without a forwarded address (local tools, the benchmarks) are not counted; a
proxy's clients are, by the X-Forwarded-For it sends (web.trusted_proxies). If Redis cannot
be reached the request is let through (one log line): a citizen is never refused because
our conveyor is down.
"""

from __future__ import annotations

import ipaddress
import time

import redis

from ventanilla.logs import log

HOUR = 3600


class IntakeLimit:
    def __init__(
        self, client: redis.Redis, namespace: str, per_hour: int, what: str = "intake-limit"
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.per_hour = per_hour
        # What is counted (its own keys): intake, or the status page's contact checks.
        self.what = what
        self._warned_at = 0.0

    def retry_after(self, address: str, now: float | None = None) -> int:
        """0 when `address` may file now, else the seconds until it may again."""
        if not self.per_hour or not address or is_loopback(address):
            return 0
        now = time.time() if now is None else now
        window = int(now) // HOUR
        key = f"{self.namespace}:{self.what}:{address}:{window}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(key)
            pipe.expire(key, HOUR + 60)
            count = int(pipe.execute()[0])
        except redis.RedisError:
            if now - self._warned_at > 60:
                self._warned_at = now
                log.warning("intake_limit_unavailable")
            return 0
        if count <= self.per_hour:
            return 0
        return max(1, (window + 1) * HOUR - int(now))


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
