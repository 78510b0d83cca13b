"""Operations: schedules (:mod:`.schedules`) and freshness / source status (:mod:`.freshness`)."""
