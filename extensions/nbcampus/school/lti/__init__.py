"""LTI 1.3: the school as a tool of universities' learning platforms (launch, course links,
grades to the platform's gradebook, roster)."""
