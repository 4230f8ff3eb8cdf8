class Student:
    def __init__(self, name, grades):
        self.name = name
        self.grades = grades

    def report(self):
        return f"{self.nmae}: {sum(self.grades) / len(self.grades):.1f}"
