"""Files the bank supplies (a police film, a poster), made ready for each screen profile that shows them."""
