"""Small content mappings, built in Python, for the journeys unit tests.

Each builder returns a fresh, valid mapping that a test may change before loading it.
"""

from __future__ import annotations

from typing import Any

from journeys.shop import Shop

SYSTEM_REPLIES = {
    "welcome": "Welcome!",
    "help": "I can help.",
    "nlu_fallback": "Sorry, I didn't get that.",
    "nlu_unavailable": "Technical trouble, try later.",
    "unsupported_content": "I can only read text messages.",
    "opted_out": "No more reminders.",
    "handoff": "I'm passing you to a person; about {wait} minutes.",
    "handoff_after_hours": "We're away; leave a message.",
    "handoff_waiting_1": "Still in the queue; about {wait} minutes.",
    "handoff_cancelled": "OK, I'm back.",
    "handoff_released": "You're back with the bot.",
    "handoff_joined": "{agent} is here.",
    "csat_comment_noted": "Noted for our team.",
    "answer_price": "The {product} costs {price}.",
    "answer_stock_available": "The {product} is in stock.",
    "answer_stock_low": "Only {stock} left of the {product}.",
    "answer_stock_out": "The {product} is sold out.",
    "answer_specs": "{product}:\n{specs}",
    "unknown_product": "We don't sell {product}. Try: {suggestions}",
    "unknown_product_nothing_near": "We don't sell {product}.",
    "ambiguous_product": "Which one? {options}",
    "answer_spec": "{product}: {specs}",
    "answer_spec_missing": "No {spec} for the {product}.",
    "answer_product": "{product} {price}, {availability}. {specs}",
    "availability_in_stock": "in stock",
    "availability_low": "{stock} left",
    "availability_out": "sold out",
    "answer_colour_yes": "The {product} comes in {colour}.",
    "answer_colour_no": "The {product} comes in {colours}, not {colour}.",
    "answer_colour_unknown": "No colours for the {product}.",
    "answer_compare": "{table}\n{difference}",
    "compare_difference": "{verdict} ({values}).",
    "compare_tie": "Same {spec}: {value}.",
    "answer_recommendation": "For {criteria}:\n{picks}",
    "recommendation_none": "Nothing for {criteria}; closest:\n{picks}",
    "recommendation_nothing": "Nothing for {criteria}.",
    "budget_under": "up to {amount}",
    "budget_over": "from {amount}",
    "budget_between": "{low}-{high}",
    "faq_not_sure": "Not sure. Ask a person?",
    "category_overview": "{count} {category} from {brands}, {low}–{high}: {names}.",
    "catalogue_overview": "We sell:\n{categories}",
    "browse_category": "See them all",
    "select_nothing_in_focus": "Which ones do you mean?",
    "product_policy": "{product}: {text}",
    "cart_recovery_1": "Your cart:\n{items}\n{total} {cart_url}",
    "cart_recovery_2": "Still thinking? {cart_url}",
    "cart_recovery_3": "Last call: {total} {cart_url}",
    "review_request_1": "How was it, from 1 to 5?",
    "support_csat_1": "How did our team do, from 1 to 5?",
    "csat_praise": "Thanks! From 1 to 5?",
    "csat_thanks": "Thanks for rating us!",
    "csat_sorry": "Sorry. What went wrong?",
    "csat_sorry_noted": "Sorry, and thanks for telling us.",
    "csat_already": "I already have your rating.",
    "csat_comment_thanks": "Noted, thank you.",
    "csat_comment_sorry": "Noted; sorry again.",
    "review_invite": "Please review us: {link}",
    "review_thanks": "Thanks for your review!",
    "referral_1": "Share: {referral_link}",
    "coupon_line": "Code: {code}",
}
INTENT_REPLIES = {
    "greet": "Hi!",
    "thanks": "You're welcome.",
    "browse_products": "We sell laptops.",
    "ask_price": "Which product?",
    "ask_stock": "Which product should I check?",
    "ask_specs": "Which product's specs?",
    "buy_product": "Add it to your cart.",
    "order_status": "Check My orders.",
    "praise": "Thank you!",
    "leave_review": "Rate us from My orders.",
}


def journey_map_data() -> dict[str, Any]:
    """A five-stage map like the demo shop's, with a few intents per stage."""
    return {
        "initial_stage": "awareness",
        "repeat_cycle_from": "consideration",
        "default_language": "en",
        "languages": ["en", "es", "it"],
        "stages": [
            {"name": "awareness", "description": "Looking around", "intents": ["browse_products"]},
            {
                "name": "consideration",
                "description": "Evaluating offers",
                "intents": ["ask_price", "ask_stock", "ask_specs"],
            },
            {
                "name": "purchase",
                "description": "Buying",
                "intents": ["buy_product"],
                "events": ["cart_updated", "checkout_started"],
            },
            {
                "name": "retention",
                "description": "After the order",
                "requires_purchase": True,
                "intents": ["order_status"],
                "events": ["order_placed", "order_delivered"],
            },
            {
                "name": "advocacy",
                "description": "A happy customer",
                "requires_purchase": True,
                "intents": ["praise", "leave_review"],
                "events": ["review_submitted"],
            },
        ],
        "general_intents": ["greet", "thanks", "help", "ask_human", "stop"],
        "purchase_signals": ["order_placed"],
        "follow_ups": {
            "cart_recovery": ["1h", "24h", "72h"],
            "review_request": ["7d"],
            "support_csat": ["1m"],
            "referral": ["1m"],
        },
        "policies": {
            "timezone": "Europe/Rome",
            "quiet_hours": "21:00-09:00",
            "max_proactive_per_week": 3,
        },
        "reviews": {
            "policy": "invite_all",
            "review_url": "https://reviews.example/shop",
            "referral_url": "https://shop.example/invite/{code}",
        },
        "fallback": {"hand_off_after": 2},
        "handoff": {"office_hours": "Mon-Fri 09:00-18:00", "expected_wait": "15m"},
    }


def replies_data() -> dict[str, Any]:
    """English templates for every intent and system reply; Spanish for a few."""
    templates: dict[str, Any] = {
        name: {"en": [text]} for name, text in {**SYSTEM_REPLIES, **INTENT_REPLIES}.items()
    }
    templates["greet"]["es"] = ["¡Hola!"]
    templates["answer_price"]["es"] = ["{product} cuesta {price}."]
    templates["answer_price"]["buttons"] = ["ask_stock"]
    templates["csat_sorry"]["buttons"] = ["ask_human"]
    templates["csat_sorry_noted"]["buttons"] = ["ask_human"]
    templates["csat_comment_sorry"]["buttons"] = ["ask_human"]
    return {
        "button_titles": {
            "ask_human": {"en": "Talk to a person", "es": "Hablar con una persona"},
            "ask_stock": {"en": "Availability"},
            "review_link": {"en": "Write a review"},
            "share": {"en": "Share your link"},
        },
        "spec_labels": {"ram": {"en": "RAM"}, "weight": {"en": "Weight", "es": "Peso"}},
        "templates": templates,
    }


def catalogue_data() -> dict[str, Any]:
    """Three laptops: one in stock, one nearly sold out, one sold out."""
    return {
        "currency": "EUR",
        "categories": ["laptops"],
        "products": [
            _product("xps-13", "Dell XPS 13", ["XPS 13", "XPS"], "1299.00", 7),
            _product("macbook-air-13", "MacBook Air 13 M3", ["MacBook Air", "MBA"], 1249, 2),
            _product("hp-pavilion-15", "HP Pavilion 15", ["Pavilion"], 699.5, 0),
        ],
    }


def _product(pid: str, name: str, aliases: list[str], price: Any, stock: int) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "aliases": aliases,
        "category": "laptops",
        "price": price,
        "stock": stock,
        "url": f"https://shop.example.com/products/{pid}",
        "specs": {"ram": "16 GB", "weight": "1190 g"},
        "description": {"en": f"The {name}.", "es": f"El {name}."},
    }


def build_shop(
    journey_map: dict[str, Any] | None = None,
    replies: dict[str, Any] | None = None,
    catalogue: dict[str, Any] | None = None,
) -> Shop:
    """A Shop from the builders above, or from the mappings given."""
    return Shop.from_mappings(
        journey_map if journey_map is not None else journey_map_data(),
        replies if replies is not None else replies_data(),
        catalogue if catalogue is not None else catalogue_data(),
    )
