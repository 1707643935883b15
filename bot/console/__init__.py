"""The support console at ``/console``: staff log in, claim conversations, reply, hand back."""
