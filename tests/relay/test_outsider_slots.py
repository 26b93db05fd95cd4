"""ConnectionLimiter: whatever outsiders do, the clients' share of the slots stays free."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mailguard.relay.admission import ConnectionLimiter

EVENTS = st.lists(
    st.tuples(st.sampled_from(["admit", "release", "promote"]), st.integers(0, 11), st.booleans()), max_size=300
)


@settings(derandomize=True, max_examples=200)
@given(EVENTS, st.integers(2, 40), st.integers(1, 60))
def test_outsiders_never_take_the_clients_share(
    events: list[tuple[str, int, bool]], total: int, outsiders: int
) -> None:
    limiter = ConnectionLimiter(total, total, outsiders, 5)
    held: list[tuple[str, bool]] = []  # (ip, counted as outsider)
    for action, n, outsider in events:
        ip = f"10.0.0.{n}"
        if action == "admit" and limiter.admit(ip, outsider):
            held.append((ip, outsider))
        elif action == "release" and held:
            limiter.release(*held.pop(0))
        elif action == "promote":
            for i, (who, out) in enumerate(held):
                if out:
                    limiter.promote(who)
                    held[i] = (who, False)
                    break
        assert limiter.total == len(held) <= total
        assert limiter.outsiders == sum(out for _, out in held) <= max(1, total // 2)
    # a client can always come in while fewer than the clients' share are taken by clients
    if limiter.total - limiter.outsiders < total - limiter.max_outsiders:
        assert limiter.admit("192.0.2.1", outsider=False)
