"""Commerce events from the shop's systems: signed, validated, stored once, acted on."""
