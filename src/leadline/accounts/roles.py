"""Role presets: named bundles of the product's permissions, kept as Django groups."""

from __future__ import annotations

VIEW_CUSTOMER_CHATS = "accounts.view_customer_chats"
SEND_MESSAGE = "accounts.send_message"
LISTEN_CALL_RECORDING = "accounts.listen_call_recording"
ADMINISTER_COMPANY = "accounts.administer_company"

ADMINISTRATOR = "Administrator"
CSR = "CSR"
MANAGER = "Manager"
VIEWER = "Viewer"

ROLE_PRESETS: dict[str, tuple[str, ...]] = {
    ADMINISTRATOR: (VIEW_CUSTOMER_CHATS, SEND_MESSAGE, LISTEN_CALL_RECORDING, ADMINISTER_COMPANY),
    CSR: (VIEW_CUSTOMER_CHATS, SEND_MESSAGE, LISTEN_CALL_RECORDING),
    MANAGER: (VIEW_CUSTOMER_CHATS, LISTEN_CALL_RECORDING),
    VIEWER: (VIEW_CUSTOMER_CHATS,),
}
