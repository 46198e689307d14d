"""The D-Bus layer: thin ServiceInterface classes over the model."""
