"""The demo series: the seed's re-industrialization webinars, loadable idempotently."""
