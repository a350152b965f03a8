"""The demo park: its data in park.yaml, the code that builds it from that data (`build`,
`scenarios`, `pictures`) and the `flask demo` commands (`cli`)."""
