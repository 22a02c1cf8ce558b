"""Emergency alerts (CAP) and the screens' receipts of them."""
