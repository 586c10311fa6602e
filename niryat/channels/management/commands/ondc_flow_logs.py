"""Write an ONDC flow's requests and callbacks, as they went over the wire, in the payload layout
ONDC's log-validation utility takes (shared/ONDC_FACTS.md §1.2): one JSON body to POST to its
`/api/validate` (retail 1.2.0) or `/api/validate/igm` (grievances, IGM 1.0.0).

    manage.py ondc_flow_logs <transaction id>... --flow 2 --output flow2.json

A flow's messages are those of the transactions given (a search often has a transaction of its
own), oldest first. Only requests the node ACKed are written, and every callback it sent.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from niryat.channels.models import OndcMessage

IGM_ACTIONS = {"issue", "on_issue", "issue_status", "on_issue_status"}
# on_status by the delivery fulfilment's state (retail 1.2.0 and 1.2.5 state codes).
STATUS_KEYS = {
    "pending": "on_status_pending",
    "packed": "on_status_packed",
    "agent-assigned": "on_status_agent_assigned",
    "at-pickup": "on_status_at_pickup",
    "out-for-pickup": "on_status_out_for_pickup",
    "pickup-failed": "on_status_pickup_failed",
    "order-picked-up": "on_status_picked",
    "in-transit": "on_status_in_transit",
    "at-destination-hub": "on_status_at_destination_hub",
    "at-delivery": "on_status_at_delivery",
    "out-for-delivery": "on_status_out_for_delivery",
    "delivery-failed": "on_status_delivery_failed",
    "order-delivered": "on_status_delivered",
    "rto-delivered": "on_status_rto_delivered/disposed",
    "rto-disposed": "on_status_rto_delivered/disposed",
}
# on_update by the return or cancel fulfilment's state.
UPDATE_KEYS = {
    "cancelled": "on_update_part_cancel",
    "return_initiated": "on_update_interim_reverse_qc",
    "return_approved": "on_update_approval",
    "return_picked": "on_update_picked",
    "return_delivered": "on_update_delivered",
    "liquidated": "on_update_liquidated",
}
OUT_OF_STOCK = "40002"
# Names the utility reads one message of where a flow has several, keeping the last: the
# unsolicited on_issue_status it checks is the one with the resolution (staff answer first, then
# resolve).
LAST_OF_ITS_NAME = {"ret_on_issue_status_unsolicited"}


def _fulfilment_state(data: dict[str, Any], types: tuple[str, ...]) -> str:
    fulfilments = ((data.get("message") or {}).get("order") or {}).get("fulfillments") or []
    for fulfilment in fulfilments:
        if not types or fulfilment.get("type") in types:
            code = ((fulfilment.get("state") or {}).get("descriptor") or {}).get("code")
            if code:
                return str(code).lower()
    return ""


def payload_key(message: OndcMessage, data: dict[str, Any], out_of_stock: set[str]) -> str:
    """The utility's name for one message of a flow."""
    action = message.action
    context = data.get("context") or {}
    if action in IGM_ACTIONS:
        unsolicited = action == "on_issue_status" and message.answers_id is None
        if (
            action == "issue"
            and ((data.get("message") or {}).get("issue") or {}).get("status") == "CLOSED"
        ):
            return "ret_issue_close"
        return f"ret_{action}" + ("_unsolicited" if unsolicited else "")
    if action in ("search", "on_search"):
        kind = "inc_refresh" if context.get("city") == "*" else "full_catalog_refresh"
        return f"{action}_{kind}"
    if action in ("select", "on_select") and message.message_id in out_of_stock:
        return f"{action}_out_of_stock"
    if action == "on_status":
        return STATUS_KEYS.get(_fulfilment_state(data, ("Delivery",)), "on_status")
    if action == "on_update":
        state = _fulfilment_state(data, ("Cancel", "Return"))
        return UPDATE_KEYS.get(state, "on_update")
    if action == "update" and _fulfilment_state(data, ("Return",)):
        return "update_reverse_qc"
    return action


def flow_payload(
    transaction_ids: list[str], *, flow: str, version: str | None = None
) -> dict[str, Any]:
    """The utility's request body for the flow made of these transactions; CommandError when the
    log holds none of their messages."""
    messages = [
        m
        for m in OndcMessage.objects.of_transaction(*transaction_ids).select_related(
            "node", "answers"
        )
        if m.direction == OndcMessage.Direction.SENT or m.outcome == OndcMessage.Outcome.ACK
    ]
    # Each callback right after the request it answers, as the utility's sequences read.
    messages.sort(
        key=lambda m: (
            m.answers.created_at if m.answers else m.created_at,
            m.answers_id or m.pk,
            m.direction == OndcMessage.Direction.SENT,
        )
    )
    if not messages:
        raise CommandError(f"No ONDC messages of transaction(s) {', '.join(transaction_ids)}.")
    bodies = [(m, orjson.loads(m.body)) for m in messages]
    # The select whose on_select said "out of stock" (40002), and that on_select.
    out_of_stock = {
        m.message_id
        for m, data in bodies
        if m.action == "on_select" and (data.get("error") or {}).get("code") == OUT_OF_STOCK
    }
    igm = all(m.action in IGM_ACTIONS for m in messages)
    payload: dict[str, Any] = {}
    skipped: list[str] = []
    for message, data in bodies:
        key = payload_key(message, data, out_of_stock)
        if key in payload and key in LAST_OF_ITS_NAME:
            earlier = payload.pop(key)
            skipped.append(f"{key} {earlier['context'].get('message_id', '')}")
        elif key in payload:
            skipped.append(f"{key} {message.message_id}")
            continue
        payload[key] = data
    first = bodies[0][1]["context"]
    return {
        "domain": first.get("domain", ""),
        "version": version or ("1.0.0" if igm else "1.2.0"),
        "flow": flow,
        "bap_id": messages[0].bap_id,
        "bpp_id": messages[0].node.subscriber_id,
        "payload": payload,
        "_skipped": skipped,
        "_endpoint": "/api/validate/igm" if igm else "/api/validate",
    }


class Command(BaseCommand):
    help = (
        "Write an ONDC flow's requests and callbacks in the payload layout of ONDC's "
        "log-validation utility (the JSON body of its POST /api/validate)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("transaction_ids", nargs="+", metavar="TRANSACTION_ID")
        parser.add_argument(
            "--flow", required=True, help="the utility's flow: 1, 2, 3, 4... (IGM: any)"
        )
        parser.add_argument(
            "--ondc-version", dest="ondc_version", help="1.2.0 for retail (default), 1.0.0 for IGM"
        )
        parser.add_argument("--output", help="write to this file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        body = flow_payload(
            options["transaction_ids"], flow=options["flow"], version=options["ondc_version"]
        )
        skipped, endpoint = body.pop("_skipped"), body.pop("_endpoint")
        text = orjson.dumps(body, option=orjson.OPT_INDENT_2).decode()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
        else:
            self.stdout.write(text)
        for what in skipped:
            self.stderr.write(f"left out (its name is taken by an earlier message): {what}")
        self.stderr.write(f"{len(body['payload'])} message(s); POST the file to {endpoint}")
