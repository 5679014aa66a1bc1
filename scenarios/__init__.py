"""The shipped scenario library, installed as the package data `roleplay.scenarios`."""
