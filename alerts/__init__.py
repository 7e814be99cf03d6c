"""Alerts: detectors over the store's series, rules and persisted alert state, notifiers.

engine.evaluate_rules(store, config, now) runs every rule as of `now` (detectors.py; the volume and slow-build
statistics in volume.py, the same code `ascolto backtest` runs), reconciles with the stored alerts (state.py:
open, escalate, cooldown, resolve, acknowledge), groups a brand's overlapping alerts into incidents
(incidents.py; engine.evaluate returns both) and returns what needs telling; notify.Dispatcher persists
those in an outbox and delivers them (channels.py: file, email, Slack, webhook; messages.py: what they say).
"""
