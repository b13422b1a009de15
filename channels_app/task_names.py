"""The registered names of the sync engine's Celery tasks (one per flow task).

Services enqueue by name (``config.integrations.tasks.task_enqueue``) and each task is declared
with its name here, so a service never imports a task module. The names keep the historical
``channels_app.tasks.`` prefix: queued messages and django-celery-beat rows of a running
installation stay valid.
"""

_PREFIX = "channels_app.tasks."

ACCOUNT_PUSH = _PREFIX + "account_push_task"
OUTBOX_SWEEP = _PREFIX + "outbox_sweep_task"
INBOUND_EVENT_PROCESS = _PREFIX + "inbound_event_process_task"
INBOUND_EVENTS_DRAIN = _PREFIX + "inbound_events_drain_task"
INBOUND_EVENT_FETCH = _PREFIX + "inbound_event_fetch_task"
ACCOUNT_ORDERS_SYNC = _PREFIX + "account_orders_sync_task"
ACCOUNT_LISTINGS_IMPORT = _PREFIX + "account_listings_import_task"
ACCOUNT_NOTIFICATIONS_PULL = _PREFIX + "account_notifications_pull_task"
ACCOUNT_RECONCILE = _PREFIX + "account_reconcile_task"
STALLED_WORK_RESCUE = _PREFIX + "stalled_work_rescue_task"
ORDER_FULFILMENT_PUSH = _PREFIX + "order_fulfilment_push_task"
CHANNEL_ORDER_PUSH = _PREFIX + "channel_order_push_task"
CHANNEL_ORDER_PUSHES_SWEEP = _PREFIX + "channel_order_pushes_sweep_task"
ACCOUNT_FULL_PUSH = _PREFIX + "account_full_push_task"
ACCOUNT_LISTINGS_IMPORT_JOB = _PREFIX + "account_listings_import_job_task"
