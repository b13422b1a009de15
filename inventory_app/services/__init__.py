"""Write services of the core. Each public function is one transaction."""
