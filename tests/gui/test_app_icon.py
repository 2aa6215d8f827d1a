"""The application icon comes from resources/icons through paths.resource."""

from __future__ import annotations


def test_the_app_icon_loads_and_is_set_on_the_application(qapp) -> None:
    from bonescan_tutor.gui.app import app_icon, make_application

    icon = app_icon()
    assert not icon.isNull()
    assert icon.actualSize(icon.availableSizes()[0]).width() == 256
    app = make_application()
    assert app.windowIcon().cacheKey() != 0
    assert not app.windowIcon().isNull()
