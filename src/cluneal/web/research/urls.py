from django.urls import path

from cluneal.web.research import views

urlpatterns = [
    path("", views.index, name="research"),
    path("export", views.export, name="research-export"),
    path("data_dictionary.csv", views.dictionary_download, name="research-dictionary"),
]
