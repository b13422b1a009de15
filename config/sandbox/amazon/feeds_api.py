"""HTTP side of the Feeds API 2021-06-30 operations (the document store is in feeds.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .feeds import processing_json

if TYPE_CHECKING:
    from .feeds import Feed
    from .state import AmazonState


def feed_json(feed: Feed) -> dict:
    """The Feed object of getFeed."""
    body = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": feed.marketplace_ids,
        **processing_json(feed),
    }
    if feed.result_document_id:
        body["resultFeedDocumentId"] = feed.result_document_id
    return body


def feeds_operation(state: AmazonState, operation: str, params: dict[str, str], body: Any) -> tuple[int, Any]:
    """createFeedDocument, createFeed, getFeed, cancelFeed, getFeedDocument."""

    def error(status: int, message: str) -> tuple[int, dict]:
        return status, {
            "errors": [
                {"code": "InvalidInput" if status == 400 else "NotFound", "message": message, "details": ""}
            ]
        }

    store = state.feeds
    with state.lock:
        state.tick()
        if operation == "createFeedDocument":
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("contentType"), str)
                or not body["contentType"]
            ):
                return error(400, "contentType is required.")
            doc = store.create_document(body["contentType"])
            return 201, {
                "feedDocumentId": doc.feed_document_id,
                "url": store.presigned_url(doc.feed_document_id, "PUT"),
            }
        if operation == "createFeed":
            if not isinstance(body, dict):
                return error(400, "Body must be a CreateFeedSpecification.")
            marketplaces = body.get("marketplaceIds")
            if body.get("feedType") not in ("JSON_LISTINGS_FEED",):
                return error(400, f"feedType {body.get('feedType')!r} is not supported by this fake.")
            if (
                not isinstance(marketplaces, list)
                or not 1 <= len(marketplaces) <= 25
                or any(m not in state.config.marketplace_ids for m in marketplaces)
            ):
                return error(400, "marketplaceIds must list 1 to 25 of the seller's marketplaces.")
            doc = store.documents.get(str(body.get("inputFeedDocumentId")))
            if doc is None or doc.is_result:
                return error(400, "inputFeedDocumentId is not a feed document of this seller.")
            if doc.content is None:
                return error(400, "The feed document has not been uploaded.")
            feed = store.create_feed(
                feed_type=body["feedType"],
                marketplace_ids=marketplaces,
                input_document_id=doc.feed_document_id,
            )
            return 202, {"feedId": feed.feed_id}
        if operation in ("getFeed", "cancelFeed"):
            feed = store.feeds.get(params["feed_id"])
            if feed is None:
                return error(404, f"Feed {params['feed_id']} was not found.")
            if operation == "getFeed":
                return 200, feed_json(feed)
            if not store.cancel(feed.feed_id):
                return error(
                    400, f"Feed {feed.feed_id} is {feed.status}; only IN_QUEUE feeds can be cancelled."
                )
            return 200, None
        doc = store.documents.get(params["doc_id"])
        if doc is None or not doc.is_result:
            return error(404, f"Feed document {params['doc_id']} was not found.")
        answer = {
            "feedDocumentId": doc.feed_document_id,
            "url": store.presigned_url(doc.feed_document_id, "GET"),
        }
        if doc.compression:
            answer["compressionAlgorithm"] = doc.compression
        return 200, answer
