"""Write services of the shipping integrations (each one transaction, keyword-only arguments)."""
