import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { auth } from "@/app/(auth)/auth";
import { AuthCard } from "@/components/auth-card";
import { RegisterForm } from "@/components/auth-forms";

export const metadata: Metadata = { title: "Create account" };

export default async function RegisterPage() {
  if ((await auth())?.user) redirect("/");
  return (
    <AuthCard title="Create your account">
      <RegisterForm />
    </AuthCard>
  );
}
